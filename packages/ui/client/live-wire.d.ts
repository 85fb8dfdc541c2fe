// The live wire's one definition (@distributex/protocol, live-wire.ts): types for dx.ts here; at run
// time the browser loads the compiled module itself, served beside dx.js as live-wire.js (src/assets.ts).
export * from '../../protocol/dist/live-wire.js'
