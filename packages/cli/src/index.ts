/**
 * @module distributex
 * The distributex command as a library: start parts of an application in-process.
 */
export { startParts, stopAll, type Running, type StartCommandOptions } from './start-command.js'
export { HELP } from './help.js'
