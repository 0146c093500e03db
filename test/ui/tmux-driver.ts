import { execFileSync } from 'node:child_process'

/** Drives one tmux session on a private server socket: keys in, screen out. */
export function tmuxDriver(socket: string, session: string) {
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  const screen = () => tmux('capture-pane', '-p', '-t', session)
  /** Polls the screen until every pattern matches one capture (a capture can catch a frame half drawn). */
  async function waitForScreen(test: RegExp | RegExp[], what: string, timeoutMs = 20_000): Promise<string> {
    const tests = Array.isArray(test) ? test : [test]
    const end = Date.now() + timeoutMs
    let last = ''
    while (Date.now() < end) {
      last = screen()
      if (tests.every((t) => t.test(last))) return last
      await new Promise((r) => setTimeout(r, 100))
    }
    const missing = tests.filter((t) => !t.test(last))
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (${missing.join(', ')}). Screen:\n${last}`)
  }
  return { tmux, screen, waitForScreen, keys: (...k: string[]) => tmux('send-keys', '-t', session, ...k) }
}
