// Parser oracle: PostHog's own parser (@posthog/hogql-parser, WASM) over many inputs in one process.
// stdin: JSON lines {"kind": "expr"|"select"|"program"|"template", "src": "...", "positions": bool}
// stdout: one line per input, the peer's JSON result (tree or error object), in order.
// A `template` input is the template's text; the peer wants it behind `F'`.
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'

const require = createRequire(import.meta.url)
const createParser = require('@posthog/hogql-parser')
const parser = await createParser()

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of rl) {
    if (!line.trim()) continue
    const { kind, src, positions } = JSON.parse(line)
    const internal = !positions
    let out
    try {
        switch (kind) {
            case 'expr': out = parser.parseExpr(src, internal); break
            case 'program': out = parser.parseProgram(src, internal); break
            case 'template': out = parser.parseFullTemplateString("F'" + src, internal); break
            default: out = parser.parseSelect(src, internal)
        }
    } catch (e) {
        out = JSON.stringify({ error: true, type: 'Exception', message: String(e) })
    }
    process.stdout.write(out.replace(/\n/g, ' ') + '\n')
}
