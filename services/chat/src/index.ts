export { ChatStore } from './chat-store.js'
