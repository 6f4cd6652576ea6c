/**
 * A `FileSystem` whose paths all live under one directory: `/home/.aws/config` and the relative
 * `config` both mean `<root>/...`. The credentials runners use it so that a case's files (given
 * relative to `/`) are read from a temporary copy, and error messages still name the case's own
 * paths.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { layer as nodeFileSystem } from "../../src/Session/NodeFileSystem.js"

export const layer = (root: string): Layer.Layer<FileSystem> =>
  Layer.effect(
    FileSystem,
    Effect.map(FileSystem, (fs): FileSystem => {
      const at = (p: string) => path.join(root, p)
      return {
        ...fs,
        access: (p, o) => fs.access(at(p), o),
        exists: (p) => fs.exists(at(p)),
        makeDirectory: (p, o) => fs.makeDirectory(at(p), o),
        readDirectory: (p, o) => fs.readDirectory(at(p), o),
        readFile: (p) => fs.readFile(at(p)),
        readFileString: (p, e) => fs.readFileString(at(p), e),
        remove: (p, o) => fs.remove(at(p), o),
        rename: (a, b) => fs.rename(at(a), at(b)),
        stat: (p) => fs.stat(at(p)),
        stream: (p, o) => fs.stream(at(p), o),
        open: (p, o) => fs.open(at(p), o),
        writeFile: (p, d, o) => fs.writeFile(at(p), d, o),
        writeFileString: (p, d, o) => fs.writeFileString(at(p), d, o)
      }
    })
  ).pipe(Layer.provide(nodeFileSystem))
