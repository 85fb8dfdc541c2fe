export { requireEngine, engineUrl, type EngineVariable } from './engines.js'
export { waitFor } from './wait.js'
export { freePort } from './ports.js'
export { startNodeChild, writeConfigDir, type StartedChild, type StartChildOptions } from './child.js'
