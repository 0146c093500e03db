/**
 * Loads Ink, React and the UI components for an interactive terminal. Ink and
 * React read the environment once, when loaded: with CI variables set, Ink
 * draws only the last frame, and React's development build renders several
 * times slower. Both are hidden/set only while they load, so compute code
 * sees the environment as it was. `strata ui` uses this, and `strata dev` on a
 * terminal (it renders <DevApp model lines>).
 */

/** Environment variables that make Ink believe it runs in CI. */
const ciVars = (env: NodeJS.ProcessEnv) => Object.keys(env).filter((k) => k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_'))

export async function loadTerminalUi() {
  const saved = Object.fromEntries([...ciVars(process.env), 'NODE_ENV'].map((k) => [k, process.env[k]]))
  for (const k of ciVars(process.env)) delete process.env[k]
  process.env.NODE_ENV = 'production'
  try {
    const [{ createElement }, { render }, { FullscreenApp }, { App }, { DevApp }] = await Promise.all([import('react'), import('ink'), import('./fullscreen.js'), import('./app.js'), import('./dev-app.js')])
    return { createElement, render, FullscreenApp, App, DevApp }
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}
