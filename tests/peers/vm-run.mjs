// Runs bytecode on PostHog's VM (@posthog/hogvm, pinned in package.json) for hog-vm's
// differential test (crates/hog-vm/tests/differential.rs).
//
// stdin:  [{"name": "...", "bytecode": [...]}]
// stdout: [{"name": "...", "stdout": ["line", ...], "error": "..."|null}]
//
// `print` goes through console.log, which is replaced to capture lines (arguments joined by
// one space, as Hog's print does). Crypto comes from Node's own module.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import crypto from 'node:crypto'

const require = createRequire(import.meta.url)
const { exec } = require('@posthog/hogvm')

// PostHog's hosts pass RE2; JavaScript's RegExp agrees on the patterns used here. A leading
// `(?i)` (how the VM asks for case-insensitive matching) becomes the `i` flag.
const match = (regex, value) => {
    const insensitive = regex.startsWith('(?i)')
    return new RegExp(insensitive ? regex.slice(4) : regex, insensitive ? 'i' : '').test(value)
}

const programs = JSON.parse(readFileSync(0, 'utf8'))
const results = []
const original = console.log
for (const p of programs) {
    const lines = []
    console.log = (...args) => lines.push(args.map((a) => String(a)).join(' '))
    let error = null
    try {
        const r = exec(p.bytecode, { globals: p.globals ?? {}, timeout: 10000, external: { crypto, regex: { match } } })
        if (r.error) {
            error = String(r.error?.message ?? r.error)
        }
    } catch (e) {
        error = String(e?.message ?? e)
    }
    console.log = original
    results.push({ name: p.name, stdout: lines, error })
}
process.stdout.write(JSON.stringify(results))
