// Benchmark peer for hog-vm (crates/hog-vm/examples/bench_peer.rs): PostHog's VM on the same
// inputs, timed in-process.
//
//   node vm-bench.mjs run FILE.hoge          run once, print the program's output (timed by the caller)
//   node vm-bench.mjs geoip DIR ROUNDS       run the geoip transformation over DIR's five events
//                                            ROUNDS times; print {"us_per_event", "results"} as JSON
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import crypto from 'node:crypto'

const require = createRequire(import.meta.url)
const { exec, convertHogToJS } = require('@posthog/hogvm')

const [mode, path, roundsArg] = process.argv.slice(2)
if (mode === 'run') {
    const bytecode = JSON.parse(readFileSync(path, 'utf8'))
    const r = exec(bytecode, { timeout: 600000, external: { crypto } })
    if (r.error) {
        console.error(String(r.error?.message ?? r.error))
        process.exit(1)
    }
} else if (mode === 'geoip') {
    const bytecode = JSON.parse(readFileSync(`${path}/geoip-bytecode.json`, 'utf8'))
    const globalsList = JSON.parse(readFileSync(`${path}/geoip-globals.json`, 'utf8'))
    const records = JSON.parse(readFileSync(`${path}/geoip-lookup-records.json`, 'utf8'))
    const functions = {
        geoipLookup: (ip) => records[ip] ?? null,
        print: () => null,
        cleanNullValues: (x) => x,
        isKnownBotUserAgent: () => false,
        isKnownBotIp: () => false,
        postHogCapture: () => {
            throw new Error('postHogCapture is not allowed in transformations')
        },
    }
    const rounds = Number(roundsArg ?? 200)
    const results = []
    const run = (record) => {
        for (const globals of globalsList) {
            const r = exec(bytecode, { globals, functions, timeout: 5000 })
            if (r.error) throw r.error
            if (record) results.push(convertHogToJS(r.result))
        }
    }
    run(true)
    for (let i = 0; i < 20; i++) run(false) // warm up the JIT
    const start = process.hrtime.bigint()
    for (let i = 0; i < rounds; i++) run(false)
    const ns = Number(process.hrtime.bigint() - start)
    const us = ns / 1000 / (rounds * globalsList.length)
    process.stdout.write(JSON.stringify({ us_per_event: us, results }))
} else {
    console.error('usage: vm-bench.mjs run FILE.hoge | geoip DIR ROUNDS')
    process.exit(2)
}
