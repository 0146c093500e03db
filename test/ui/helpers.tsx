/** Rendering the UI with ink-testing-library, pressing keys and waiting for frames. */
import { render } from 'ink-testing-library'
import { App, type AppProps } from '../../ui-terminal/app/app.js'
import type { UiModel } from '../../ui-terminal/app/model.js'

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  shiftRight: '\u001B[1;2C',
  shiftLeft: '\u001B[1;2D',
  pageDown: '\u001B[6~',
  pageUp: '\u001B[5~',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
} as const

export const tick = () => new Promise<void>((r) => setTimeout(r, 2))
const immediate = () => new Promise<void>((r) => setImmediate(r))

/**
 * Waits until the frame has not changed for several turns of the event loop:
 * Ink/React render an input's update in a later macrotask, not synchronously.
 */
async function settle(frame: () => string): Promise<void> {
  await tick()
  let last = frame()
  for (let stable = 0, turns = 0; stable < 5 && turns < 1000; turns++) {
    await immediate()
    const now = frame()
    if (now === last) stable++
    else {
      stable = 0
      last = now
    }
  }
}

export interface Rendered {
  frame(): string
  /** Lines of the last frame. */
  lines(): string[]
  /** Writes each key and lets the app render after each. */
  press(...keys: string[]): Promise<void>
  /** Types text one character at a time. */
  type(text: string): Promise<void>
  /** Polls the frame until `test` passes; the error names what was awaited and shows the frame. */
  waitFor(test: string | RegExp | ((frame: string) => boolean), what?: string, timeoutMs?: number): Promise<string>
  unmount(): void
}

export function renderApp(model: UiModel, opts: Partial<Omit<AppProps, 'model'>> = {}): Rendered {
  const r = render(<App model={model} width={opts.width ?? 100} height={opts.height ?? 30} devEvents={opts.devEvents} now={opts.now} onQuit={opts.onQuit} />)
  const frame = () => r.lastFrame() ?? ''
  const rendered: Rendered = {
    frame,
    lines: () => frame().split('\n'),
    async press(...keys) {
      await settle(frame)
      for (const k of keys) {
        r.stdin.write(k)
        await settle(frame)
      }
    },
    async type(text) {
      await rendered.press(...text)
    },
    async waitFor(test, what, timeoutMs = 10_000) {
      const ok = typeof test === 'string' ? (f: string) => f.includes(test) : test instanceof RegExp ? (f: string) => test.test(f) : test
      const end = Date.now() + timeoutMs
      for (;;) {
        const f = frame()
        if (ok(f)) return f
        if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what ?? String(test)}. Last frame:\n${f}`)
        await new Promise((res) => setTimeout(res, 10))
      }
    },
    unmount: () => r.unmount(),
  }
  return rendered
}

/** The selected row of the asset list: the line with the › marker in the list column. */
export function selectedKey(frame: string): string | undefined {
  const m = /^› \S (\S+)/m.exec(frame)
  return m?.[1]
}
