// `npm run dev`: rebuilds TypeScript and CSS on change and restarts the app
// whenever the compiled code changes (node --watch follows every imported file).
import { spawn } from 'node:child_process'

const children = [
  spawn('npx', ['tsc', '-b', '--watch', '--preserveWatchOutput'], { stdio: 'inherit' }),
  spawn('npx', ['tailwindcss', '--input', 'packages/ui/styles/app.css', '--output', 'packages/ui/dist/app.css', '--watch'], { stdio: 'inherit' }),
  spawn(process.execPath, ['--watch', 'packages/cli/dist/bin.js', 'start', ...process.argv.slice(2)], { stdio: 'inherit' }),
]
const stop = () => {
  for (const child of children) child.kill('SIGTERM')
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
