/**
 * Reading the small files providers depend on (web identity tokens, container authorization
 * tokens, the SSO token cache) through `@effect/platform`'s `FileSystem`, with errors that name
 * the file and say what is wrong in plain words.
 *
 * @since 0.1.0
 */
import type { PlatformError } from "@effect/platform/Error"
import { FileSystem } from "@effect/platform/FileSystem"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

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

/** Reads a text file. */
export const readText = (path: string): Effect.Effect<string, FileAccessError, FileSystem> =>
  Effect.flatMap(FileSystem, (fs) =>
    Effect.mapError(
      fs.readFileString(path),
      (cause) => new FileAccessError({ path, operation: "read", cause })
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
