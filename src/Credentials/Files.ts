/**
 * Reading the small files providers depend on (web identity tokens, container authorization
 * tokens, the SSO token cache) through `@effect/platform`'s `FileSystem`, with errors that name
 * the file and say what is wrong in plain words. A file is read up to a size cap
 * ({@link MAX_FILE_BYTES}, 1 MiB: these files hold a token of a few KiB), so that a path that
 * names a huge file or a device (`/dev/zero`) cannot make a provider buffer without bound.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import { FileSystem } from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Body from "../Request/Body.js"

/** The most bytes a token or cache file may hold. */
export const MAX_FILE_BYTES = 1024 * 1024

/** A file a provider reads is larger than the cap: not a token or cache file. */
export class FileTooLargeError extends Data.TaggedError("FileTooLargeError")<{
  readonly path: string
  readonly limitBytes: number
}> {
  override get message(): string {
    return `failed to read \`${this.path}\`: the file is larger than ${this.limitBytes / 1024} KiB, more than any token or cache file`
  }
}

/** A file a provider needs could not be read (or written). */
export class FileAccessError extends Data.TaggedError("FileAccessError")<{
  readonly path: string
  readonly operation: "read" | "write"
  readonly cause: PlatformError
}> {
  /** True when the file does not exist. */
  get notFound(): boolean {
    return this.cause._tag === "SystemError" && this.cause.reason === "NotFound"
  }

  override get message(): string {
    return `failed to ${this.operation} \`${this.path}\`: ${describePlatformError(this.cause)}`
  }
}

/** What went wrong, as the operating system would say it. */
export const describePlatformError = (error: PlatformError): string => {
  if (error._tag === "SystemError") {
    switch (error.reason) {
      case "NotFound":
        return "No such file or directory"
      case "PermissionDenied":
        return "Permission denied"
      case "BadResource":
        return "Is a directory or not a regular file"
      default:
        return error.description ?? error.reason
    }
  }
  return error.description ?? error.message
}

/** Reads a text file (UTF-8) of at most `maxBytes` (default {@link MAX_FILE_BYTES}). */
export const readText = (
  path: string,
  maxBytes: number = MAX_FILE_BYTES
): Effect.Effect<string, FileAccessError | FileTooLargeError, FileSystem> =>
  Effect.flatMap(FileSystem, (fs) =>
    fs.stream(path, { bytesToRead: maxBytes + 1 }).pipe(
      Stream.runCollect,
      Effect.mapError((cause) => new FileAccessError({ path, operation: "read", cause })),
      Effect.flatMap((chunks) => {
        const bytes = Body.concat(Chunk.toReadonlyArray(chunks))
        if (bytes.length > maxBytes) return Effect.fail(new FileTooLargeError({ path, limitBytes: maxBytes }))
        return Effect.succeed(new TextDecoder().decode(bytes))
      })
    )
  )

/** Writes a text file, creating its directory when missing. */
export const writeText = (path: string, contents: string): Effect.Effect<void, FileAccessError, FileSystem> =>
  Effect.flatMap(FileSystem, (fs) => {
    const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
    const directory = slash > 0 ? path.slice(0, slash) : undefined
    return (directory === undefined ? Effect.void : fs.makeDirectory(directory, { recursive: true })).pipe(
      Effect.zipRight(fs.writeFileString(path, contents)),
      Effect.mapError((cause) => new FileAccessError({ path, operation: "write", cause }))
    )
  })
