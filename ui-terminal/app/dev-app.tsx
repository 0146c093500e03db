/**
 * `strata dev` in a terminal: the same full-screen app as `strata ui`, over a
 * DevModel, with the dev events panel following the session live.
 */
import { useSyncExternalStore } from 'react'
import type { DevEvent } from './dev-events.js'
import { FullscreenApp, type FullscreenAppProps } from './fullscreen.js'

/** Panel lines that change over time (see DevLines in dev-feed.ts). */
export interface DevLinesSource {
  subscribe(listener: () => void): () => void
  get(): readonly DevEvent[]
}

/** Lines of the dev events panel under `strata dev`, title included. */
export const DEV_SESSION_PANEL_LINES = 8

export function DevApp({ lines, ...props }: Omit<FullscreenAppProps, 'devEvents'> & { lines: DevLinesSource }) {
  const devEvents = useSyncExternalStore(lines.subscribe, lines.get)
  return <FullscreenApp devPanelHeight={DEV_SESSION_PANEL_LINES} {...props} devEvents={devEvents} />
}
