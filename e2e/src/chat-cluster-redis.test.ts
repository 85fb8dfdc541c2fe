import { chatClusterTest } from './chat-cluster-scenario.js'

chatClusterTest('REDIS_URL', 'Redis')
