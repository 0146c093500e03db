/**
 * README TypeScript snippets, compiled as the reader would write them: each
 * ```ts block becomes a module of its own in a throwaway folder inside this
 * repository, so `strata-engine` resolves through the package's
 * self-reference, and tsc checks them with the repository's compiler options.
 * Helpers a snippet only names (`load`, `train`, …) are declared once, in
 * docs/snippets/prelude.ts; the snippets themselves are not edited.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const PRELUDE = join(REPO_ROOT, 'docs', 'snippets', 'prelude.ts')

export interface Snippet {
  /** 1-based line, in the Markdown file, of the snippet's first line of code. */
  line: number
  lang: string
  code: string
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)[^\n]*$/

/** The fenced code blocks in `markdown` whose language is one of `langs`. */
export function extractSnippets(markdown: string, langs: readonly string[] = ['ts', 'typescript', 'tsx']): Snippet[] {
  const lines = markdown.split(/\r?\n/)
  const out: Snippet[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!)
    if (!open) continue
    const [, indent, fence, lang] = open
    let end = i + 1
    // A closing fence is at least as long as the opening one, of the same character, with nothing after it.
    while (end < lines.length && !new RegExp(`^\\s*${fence![0] === '`' ? '`' : '~'}{${fence!.length},}\\s*$`).test(lines[end]!)) end++
    if (langs.includes(lang!.toLowerCase())) {
      const body = lines.slice(i + 1, end).map((l) => (l.startsWith(indent!) ? l.slice(indent!.length) : l))
      out.push({ line: i + 2, lang: lang!, code: body.join('\n') })
    }
    i = end
  }
  return out
}

export interface CompileResult {
  /** tsc's diagnostics, each pointing into the Markdown file (`README.md:LINE:COL`) when it is in a snippet. */
  errors: string[]
  /** Everything tsc printed, for a failure message. */
  output: string
}

/**
 * Type-checks `snippets` (from `source`, a path used in the messages) in one
 * tsc run with this repository's compiler options and the prelude.
 */
export function compileSnippets(snippets: readonly Snippet[], source: string, prelude = PRELUDE): CompileResult {
  const scratch = join(REPO_ROOT, 'tmp')
  mkdirSync(scratch, { recursive: true })
  const dir = mkdtempSync(join(scratch, 'readme-snippets-'))
  try {
    const files = snippets.map((s, i) => {
      const name = `snippet-${String(i + 1).padStart(2, '0')}.${s.lang === 'tsx' ? 'tsx' : 'ts'}`
      // `export {}` keeps a snippet without imports or exports a module of its own, as a definitions file is.
      writeFileSync(join(dir, name), `${s.code}\nexport {}\n`)
      return name
    })
    const tsconfig = { extends: join(REPO_ROOT, 'tsconfig.json'), compilerOptions: { noEmit: true }, include: [], files: [prelude, ...files.map((f) => join(dir, f))] }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    const run = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir, encoding: 'utf8' })
    if (run.error) throw run.error
    const output = `${run.stdout}${run.stderr}`
    const errors = output
      .split('\n')
      .filter((l) => /error TS\d+/.test(l))
      .map((l) => {
        const at = /^(snippet-(\d+)\.tsx?)\((\d+),(\d+)\): (.*)$/.exec(l)
        if (!at) return l.startsWith(dir) ? relative(dir, l) : l
        const snippet = snippets[Number(at[2]) - 1]!
        return `${source}:${snippet.line + Number(at[3]) - 1}:${at[4]}: ${at[5]}`
      })
    if (run.status !== 0 && errors.length === 0) errors.push(`tsc exited with ${run.status}: ${output.trim()}`)
    return { errors, output }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
