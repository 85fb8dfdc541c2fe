import { chatClusterTest } from './chat-cluster-scenario.js'

chatClusterTest('NATS_URL', 'NATS')
