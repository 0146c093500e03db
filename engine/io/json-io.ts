import type { IOManager } from './types.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Plain values as JSON. `undefined` is stored as `null`. */
export const jsonIO: IOManager = {
  format: 'json',
  handles: () => true,
  async serialize(value) {
    let text: string | undefined
    try {
      text = JSON.stringify(value === undefined ? null : value)
    } catch (err) {
      throw new TypeError(`The asset's value cannot be stored as JSON: ${(err as Error).message}. Return plain data or an Arrow Table.`)
    }
    if (text === undefined) {
      throw new TypeError(`The asset returned a ${typeof value}, which cannot be stored as JSON. Return plain data or an Arrow Table.`)
    }
    return encoder.encode(text)
  },
  async deserialize(bytes) {
    return JSON.parse(decoder.decode(bytes))
  },
}
