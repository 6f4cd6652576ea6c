/**
 * Hand-written S3 behaviour, wired into the generated client by the generator (never generated
 * over). For now only S3's signing rules; addressing, checksums, errors in 200 responses and the
 * rest of issue 5's list belong here.
 *
 * @since 0.1.0
 */
import type * as Client from "../../Request/Client.js"

export const customizations: Client.Customizations = {
  s3Signing: true
}
