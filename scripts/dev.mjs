// `npm run dev`: rebuilds TypeScript and CSS on change, restarts the app whenever
// the compiled code changes (node --watch follows every imported file), and open
// pages reload themselves once it is back.
import { spawn } from 'node:child_process'

const children = [
  spawn('npx', ['tsc', '-b', '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn('npx', ['tailwindcss', '--input', 'packages/ui/styles/app.css', '--output', 'packages/ui/dist/app.css', '--watch'], { stdio: 'inherit' }),
  // DX_DEV=1: open pages reload themselves when the restarted gateway comes back.
  spawn(process.execPath, ['--watch', 'packages/cli/dist/bin.js', 'start', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, DX_DEV: '1' } }),
]
const stop = () => {
  for (const child of children) child.kill('SIGTERM')
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
