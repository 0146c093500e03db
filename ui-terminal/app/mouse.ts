/**
 * Mouse input in the terminal: xterm's button reporting (mode 1000) with SGR
 * coordinates (mode 1006), switched on while the full-screen UI runs and off
 * when it ends, crashes included. Ink hands each report to `useInput` as one
 * input (`[<b;x;yM`, the escape stripped); `parseMouse` turns it into an event.
 * The keyboard stays the way to do everything: the mouse only scrolls and
 * points.
 */
import { useEffect } from 'react'

export interface MouseEvent {
  kind: 'press' | 'release' | 'wheelUp' | 'wheelDown'
  /** 0 left, 1 middle, 2 right (for press and release). */
  button: number
  /** Column and row from the top-left of the terminal, 0-based. */
  x: number
  y: number
}

export const MOUSE_ON = '\x1b[?1000h\x1b[?1006h'
export const MOUSE_OFF = '\x1b[?1000l\x1b[?1006l'

const SGR = /^\x1b?\[<(\d+);(\d+);(\d+)([Mm])$/

/** The event of one SGR mouse report, or undefined when the input is not one. */
export function parseMouse(input: string): MouseEvent | undefined {
  const m = SGR.exec(input)
  if (!m) return undefined
  const code = Number(m[1])
  const x = Number(m[2]) - 1
  const y = Number(m[3]) - 1
  // Bit 6 marks the wheel; bits 2–4 are Shift/Meta/Ctrl, which change nothing here; bit 5 is motion (not reported in mode 1000).
  if (code & 64) return { kind: (code & 1) === 0 ? 'wheelUp' : 'wheelDown', button: code & 3, x, y }
  return { kind: m[4] === 'M' ? 'press' : 'release', button: code & 3, x, y }
}

/** Turns mouse reporting on for as long as the component is mounted (and off if the process exits first). */
export function useMouseReporting(stdout: NodeJS.WriteStream, enabled = true): void {
  useEffect(() => {
    if (!enabled) return
    stdout.write(MOUSE_ON)
    const off = () => {
      stdout.write(MOUSE_OFF)
    }
    process.once('exit', off)
    return () => {
      process.off('exit', off)
      off()
    }
  }, [stdout, enabled])
}
