export { operatorAccess } from './operator-access.js'
export { logFormat, loggerOptions, REDACTED_PATHS, type LogFormat } from './logger.js'
export { createMetrics, installMetrics, LATENCY_BUCKETS, METRICS_PATH, type Metrics } from './metrics.js'
