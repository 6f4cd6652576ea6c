/**
 * Where the shared config and credentials files are, and which profile is selected: a pure
 * function of the environment and the platform (the cross-SDK file location suite).
 *
 * - `AWS_CONFIG_FILE` (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE`
 *   (default `~/.aws/credentials`); a leading `~` is the user's home directory;
 * - the home directory is `HOME`; on Windows, when `HOME` is unset, `USERPROFILE`, then
 *   `HOMEDRIVE` + `HOMEPATH`;
 * - the profile is `AWS_PROFILE`, default `default`.
 *
 * Empty variables count as unset.
 *
 * @since 0.1.0
 */

/** The platform families whose home directory and path separator rules differ. */
export type Platform = "windows" | "posix"

/** The environment variables the file location depends on. */
export interface LocationEnv {
  readonly AWS_CONFIG_FILE?: string | undefined
  readonly AWS_SHARED_CREDENTIALS_FILE?: string | undefined
  readonly AWS_PROFILE?: string | undefined
  readonly HOME?: string | undefined
  readonly USERPROFILE?: string | undefined
  readonly HOMEDRIVE?: string | undefined
  readonly HOMEPATH?: string | undefined
}

/** The names of the variables in {@link LocationEnv}, for readers of the environment. */
export const locationEnvNames: ReadonlyArray<keyof LocationEnv> = [
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_PROFILE",
  "HOME",
  "USERPROFILE",
  "HOMEDRIVE",
  "HOMEPATH"
]

/**
 * The resolved locations. A path is undefined only when it starts with `~` and no home directory
 * is known: the file is then treated as missing.
 */
export interface FileLocations {
  readonly configFile: string | undefined
  readonly credentialsFile: string | undefined
  readonly profile: string
}

/** The profile used when `AWS_PROFILE` is not set. */
export const defaultProfileName = "default"

/** Maps a Node-style platform name (`process.platform`: `win32`, `linux`, ...) to a {@link Platform}. */
export const platformOf = (name: string): Platform =>
  name === "win32" || name === "windows" ? "windows" : "posix"

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

/** The user's home directory by the platform's rules, or undefined when none is set. */
export const homeDirectory = (env: LocationEnv, platform: Platform): string | undefined => {
  const home = nonEmpty(env.HOME)
  if (home !== undefined || platform !== "windows") return home
  const profile = nonEmpty(env.USERPROFILE)
  if (profile !== undefined) return profile
  const drive = nonEmpty(env.HOMEDRIVE)
  const path = nonEmpty(env.HOMEPATH)
  return drive !== undefined && path !== undefined ? drive + path : undefined
}

const separatorOf = (platform: Platform): string => (platform === "windows" ? "\\" : "/")

/**
 * Replaces a leading `~` (alone, or followed by a separator) with the home directory. Other paths
 * are returned as they are; a `~` path without a home directory gives undefined.
 */
export const expandHome = (
  path: string,
  home: string | undefined,
  platform: Platform
): string | undefined => {
  const tilde = path === "~" || path.startsWith("~/") || (platform === "windows" && path.startsWith("~\\"))
  if (!tilde) return path
  if (home === undefined) return undefined
  const base = home.length > 1 && /[\\/]$/.test(home) ? home.slice(0, -1) : home
  return base + path.slice(1)
}

/**
 * Where to read the config and credentials files, and the selected profile.
 *
 * @example
 * ```ts
 * resolveFileLocations({ HOME: "/home/me", AWS_PROFILE: "dev" }, "posix")
 * // { configFile: "/home/me/.aws/config", credentialsFile: "/home/me/.aws/credentials", profile: "dev" }
 * ```
 */
export const resolveFileLocations = (env: LocationEnv, platform: Platform): FileLocations => {
  const home = homeDirectory(env, platform)
  const sep = separatorOf(platform)
  const locate = (override: string | undefined, name: string) =>
    expandHome(nonEmpty(override) ?? `~${sep}.aws${sep}${name}`, home, platform)
  return {
    configFile: locate(env.AWS_CONFIG_FILE, "config"),
    credentialsFile: locate(env.AWS_SHARED_CREDENTIALS_FILE, "credentials"),
    profile: nonEmpty(env.AWS_PROFILE) ?? defaultProfileName
  }
}
