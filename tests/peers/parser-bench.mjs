// Parser throughput of PostHog's own parser (@posthog/hogql-parser, WASM), for the benchmark's
// ratio. argv: QUERIES.jsonl PROGRAM.hog [N queries]. Prints one JSON line:
// {"bytes": …, "seconds": …, "cpu_seconds": …} (wall clock, and user+system CPU time of the
// process) over the first N queries (parseSelect) and the program (parseProgram).
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const parser = await require('@posthog/hogql-parser')()
const [queriesPath, programPath, nArg] = process.argv.slice(2)
const n = Number(nArg ?? 50)
const queries = readFileSync(queriesPath, 'utf8').split('\n').filter(Boolean).slice(0, n).map((l) => JSON.parse(l))
const program = readFileSync(programPath, 'utf8')
parser.parseSelect(queries[0], true) // warm up
let bytes = 0
const t0 = process.hrtime.bigint()
const c0 = process.cpuUsage()
for (const q of queries) {
    parser.parseSelect(q, true)
    bytes += Buffer.byteLength(q)
}
parser.parseProgram(program, true)
bytes += Buffer.byteLength(program)
const seconds = Number(process.hrtime.bigint() - t0) / 1e9
const cpu = process.cpuUsage(c0)
const cpu_seconds = (cpu.user + cpu.system) / 1e6
console.log(JSON.stringify({ bytes, seconds, cpu_seconds }))
