import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, type Scope, Stream } from "effect"
import { NodeFileSystem } from "../../../src/index.js"

// The SDK's own FileSystem over node:fs (what replaced @effect/platform-node): every operation the
// session, the credential providers and the S3 transfer manager use, against a real directory.
let dir = ""
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-fs-"))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const run = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Scope.Scope>) =>
  Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(NodeFileSystem.layer)))

describe("NodeFileSystem", () => {
  it("writes, reads and stats files, making directories recursively", async () => {
    const file = path.join(dir, "a", "b", "c.txt")
    const result = await run(
      Effect.gen(function* () {
        const fsys = yield* FileSystem.FileSystem
        yield* fsys.makeDirectory(path.dirname(file), { recursive: true })
        yield* fsys.writeFileString(file, "héllo ✓")
        const text = yield* fsys.readFileString(file)
        const info = yield* fsys.stat(file)
        const exists = yield* fsys.exists(file)
        const missing = yield* fsys.exists(path.join(dir, "nope"))
        return { text, type: info.type, size: info.size, exists, missing }
      })
    )
    expect(result).toEqual({
      text: "héllo ✓",
      type: "File",
      size: BigInt(Buffer.byteLength("héllo ✓")),
      exists: true,
      missing: false
    })
  })

  it("fails with a typed NotFound SystemError naming the path", async () => {
    const missing = path.join(dir, "missing.txt")
    const error = await Effect.runPromise(
      Effect.flatMap(FileSystem.FileSystem, (fsys) => fsys.readFileString(missing)).pipe(
        Effect.flip,
        Effect.provide(NodeFileSystem.layer)
      )
    )
    expect(error._tag).toBe("SystemError")
    expect(error._tag === "SystemError" && error.reason).toBe("NotFound")
    expect(error._tag === "SystemError" && error.pathOrDescriptor).toBe(missing)
  })

  it("streams a file in chunks and writes through a sink, positional writes included", async () => {
    const source = path.join(dir, "source.bin")
    const copy = path.join(dir, "copy.bin")
    const bytes = new Uint8Array(300 * 1024).map((_, i) => i % 251)
    fs.writeFileSync(source, bytes)
    const result = await run(
      Effect.gen(function* () {
        const fsys = yield* FileSystem.FileSystem
        const chunks = yield* Stream.runCollect(fsys.stream(source, { chunkSize: FileSystem.KiB(64) }))
        yield* Stream.run(fsys.stream(source), fsys.sink(copy))
        const file = yield* fsys.open(path.join(dir, "positional.bin"), { flag: "w" })
        yield* file.seek(4, "start")
        yield* file.writeAll(new Uint8Array([5, 6]))
        yield* file.seek(0, "start")
        yield* file.writeAll(new Uint8Array([1, 2, 3, 4]))
        return Chunk.toReadonlyArray(chunks).map((c) => c.length)
      })
    )
    expect(result).toEqual([65536, 65536, 65536, 65536, 45056])
    expect(Buffer.compare(fs.readFileSync(copy), Buffer.from(bytes))).toBe(0)
    expect([...fs.readFileSync(path.join(dir, "positional.bin"))]).toEqual([1, 2, 3, 4, 5, 6])
  })

  it("renames and removes, and a scoped temporary directory is gone when its scope closes", async () => {
    const from = path.join(dir, "from.txt")
    const to = path.join(dir, "to.txt")
    fs.writeFileSync(from, "x")
    const temp = await run(
      Effect.gen(function* () {
        const fsys = yield* FileSystem.FileSystem
        yield* fsys.rename(from, to)
        yield* fsys.remove(to)
        yield* fsys.remove(to, { force: true }) // already gone: force makes it a no-op
        const temp = yield* fsys.makeTempDirectoryScoped({ prefix: "aws-sdk-" })
        expect(fs.existsSync(temp)).toBe(true)
        return temp
      })
    )
    expect(fs.existsSync(from)).toBe(false)
    expect(fs.existsSync(to)).toBe(false)
    expect(fs.existsSync(temp)).toBe(false)
  })
})
