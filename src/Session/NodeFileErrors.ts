/**
 * Node's errors as `@effect/platform` errors, for `NodeFileSystem`: an errno exception as a
 * `SystemError` with its reason (`NotFound`, `PermissionDenied`, ...), a bad argument as
 * `BadArgument`.
 *
 * Adapted from `@effect/platform-node-shared` (src/internal/fileSystem.ts and error.ts, 0.61),
 * MIT License, Copyright (c) 2023 Effectful Technologies Inc.
 *
 * @since 0.1.0
 */

import * as PlatformErrors from "@effect/platform/Error"
import { SystemError, type SystemErrorReason } from "@effect/platform/Error"

export const handleErrnoException =
  (module: SystemError["module"], method: string) =>
  (err: NodeJS.ErrnoException, [path]: ReadonlyArray<unknown>): PlatformErrors.PlatformError => {
    let reason: SystemErrorReason = "Unknown"

    switch (err.code) {
      case "ENOENT":
        reason = "NotFound"
        break

      case "EACCES":
        reason = "PermissionDenied"
        break

      case "EEXIST":
        reason = "AlreadyExists"
        break

      case "EISDIR":
        reason = "BadResource"
        break

      case "ENOTDIR":
        reason = "BadResource"
        break

      case "EBUSY":
        reason = "Busy"
        break

      case "ELOOP":
        reason = "BadResource"
        break
    }

    return new SystemError({
      reason,
      module,
      method,
      pathOrDescriptor: path as string | number,
      syscall: err.syscall,
      description: err.message,
      cause: err
    })
  }

export const handleBadArgument = (method: string) => (cause: unknown) =>
  new PlatformErrors.BadArgument({
    module: "FileSystem",
    method,
    cause
  })
