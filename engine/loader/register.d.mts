// Types for register.mjs (plain JavaScript: it runs before TypeScript support exists).
/** Lets this thread import TypeScript; does nothing when it already can. Worker threads must call it too. */
export function registerTypeScript(): void
