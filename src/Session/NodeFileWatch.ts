/**
 * `FileSystem.watch` over `node:fs`'s `watch`, for `NodeFileSystem`: a rename is a create or a
 * remove as the path then exists or not, a change an update.
 *
 * Adapted from `@effect/platform-node-shared` (src/internal/fileSystem.ts, 0.61), MIT License,
 * Copyright (c) 2023 Effectful Technologies Inc; without its `WatchBackend` hook.
 *
 * @since 0.1.0
 */
import * as NFS from "node:fs"
import * as PlatformErrors from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { stat } from "./NodeFile.js"

const watchNode = (path: string, options?: FileSystem.WatchOptions) =>
  Stream.asyncScoped<FileSystem.WatchEvent, PlatformErrors.PlatformError>((emit) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const watcher = NFS.watch(path, { recursive: options?.recursive }, (event, path) => {
          if (!path) return
          switch (event) {
            case "rename": {
              emit.fromEffect(
                Effect.matchEffect(stat(path), {
                  onSuccess: (_) => Effect.succeed(FileSystem.WatchEventCreate({ path })),
                  onFailure: (err) =>
                    err._tag === "SystemError" && err.reason === "NotFound"
                      ? Effect.succeed(FileSystem.WatchEventRemove({ path }))
                      : Effect.fail(err)
                })
              )
              return
            }
            case "change": {
              emit.single(FileSystem.WatchEventUpdate({ path }))
              return
            }
          }
        })
        watcher.on("error", (error) => {
          emit.fail(
            new PlatformErrors.SystemError({
              module: "FileSystem",
              reason: "Unknown",
              method: "watch",
              pathOrDescriptor: path,
              cause: error
            })
          )
        })
        watcher.on("close", () => {
          emit.end()
        })
        return watcher
      }),
      (watcher) => Effect.sync(() => watcher.close())
    )
  )

/** `FileSystem.watch`. */
export const watch = (path: string, options?: FileSystem.WatchOptions) =>
  stat(path).pipe(
    Effect.map(() => watchNode(path, options)),
    Stream.unwrap
  )
