/**
 * <App> sized to the terminal, following resizes. Used by `strata ui` (and
 * usable by `strata dev`): one line is left free below the app so Ink redraws
 * in place instead of clearing the screen on every frame. The terminal
 * reports the mouse (wheel, clicks) while it is shown.
 */
import { useStdout } from 'ink'
import { useEffect, useState } from 'react'
import { App, type AppProps } from './app.js'
import { useMouseReporting } from './mouse.js'

export type FullscreenAppProps = Omit<AppProps, 'width' | 'height'>

function sizeOf(stdout: NodeJS.WriteStream): { width: number; height: number } {
  return { width: Math.max(40, stdout.columns || 100), height: Math.max(12, (stdout.rows || 30) - 1) }
}

export function FullscreenApp(props: FullscreenAppProps) {
  const { stdout } = useStdout()
  const [size, setSize] = useState(() => sizeOf(stdout))
  useMouseReporting(stdout)
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout))
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])
  return <App {...props} width={size.width} height={size.height} />
}
