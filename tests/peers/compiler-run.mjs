// Runs bytecode on PostHog's VM (@posthog/hogvm, pinned in package.json) for the compiler's
// differential test (crates/hog-compiler/tests/differential.rs).
//
// stdin:  [{"name": "...", "bytecode": [...], "globals": {...}, "functions": {"name": <return value>}}]
// stdout: [{"name": "...", "stdout": ["line", ...], "result": <value>|null, "error": "..."|null}]
//
// Printed lines are captured by replacing console.log (which the VM's `print` calls) and joining
// the arguments with one space, as Hog's `print` does.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const { exec } = require('@posthog/hogvm')

const crypto = require('node:crypto')

// What PostHog's Node host plugs in: RE2-style regex matching (here JavaScript's engine, with the
// `(?i)` prefix the VM uses for case-insensitive operators) and Node's crypto module.
const external = {
    crypto,
    regex: {
        match: (regex, value) => {
            let flags = ''
            if (regex.startsWith('(?i)')) {
                regex = regex.slice(4)
                flags = 'i'
            }
            return new RegExp(regex, flags).test(value)
        },
    },
}

const programs = JSON.parse(readFileSync(0, 'utf8'))
const results = []
for (const p of programs) {
    const lines = []
    const original = console.log
    console.log = (...args) => lines.push(args.map((a) => String(a)).join(' '))
    let error = null
    let result = null
    try {
        const functions = {}
        for (const [name, value] of Object.entries(p.functions ?? {})) {
            functions[name] = () => value
        }
        const r = exec(p.bytecode, { globals: p.globals ?? {}, functions, timeout: 10000, external })
        if (r.error) {
            error = String(r.error?.message ?? r.error)
        } else if (!r.finished) {
            error = `suspended on async function ${r.asyncFunctionName}`
        } else {
            result = r.result === undefined ? null : r.result
        }
    } catch (e) {
        error = String(e?.message ?? e)
    } finally {
        console.log = original
    }
    let json = null
    try {
        json = JSON.parse(JSON.stringify(result, (k, v) => (v instanceof Map ? Object.fromEntries(v) : v)))
    } catch {
        json = null
    }
    results.push({ name: p.name, stdout: lines, result: json ?? null, error })
}
process.stdout.write(JSON.stringify(results))
