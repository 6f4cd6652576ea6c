/**
 * A small in-memory S3 on a loopback port, for what s3rver lacks: multipart bookkeeping
 * (AbortMultipartUpload, ListMultipartUploads, part checksums and the composite checksum on
 * completion), UploadPartCopy, `If-Match` on GET, and fault injection per part number and
 * attempt. Path-style addressing only; signatures are not checked.
 *
 * Implemented: CreateBucket, PutObject (and CopyObject), GetObject (Range, If-Match),
 * HeadObject, DeleteObjects, CreateMultipartUpload, UploadPart (and UploadPartCopy),
 * CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads. Faults per part attempt
 * and per PutObject attempt; a hook can hold any answer (to interrupt a client at a chosen
 * request); open connections are counted.
 */
import { createHash } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Checksums from "../../src/Request/Checksums.js"

/** What to do to one attempt of a part: answer an error, reset the connection, or never answer. */
export type Fault =
  | { readonly status: number; readonly code: string }
  | { readonly reset: true }
  | { readonly hang: true }

export interface StoredObject {
  readonly body: Buffer
  readonly etag: string
  readonly headers: Readonly<Record<string, string>>
}

interface Upload {
  readonly bucket: string
  readonly key: string
  readonly algorithm: Checksums.ChecksumAlgorithm | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly parts: Map<
    number,
    { readonly body: Buffer; readonly etag: string; readonly checksum: string | undefined }
  >
}

export interface RequestRecord {
  readonly op: string
  readonly method: string
  readonly path: string
  readonly partNumber: number | undefined
  readonly headers: http.IncomingHttpHeaders
  readonly bytes: number
}

/** How a GET is answered other than in full (see `FakeS3.onGet`). */
export type GetAnswer = "hang" | { readonly stallAfter: number } | { readonly resetAfter: number }

export interface FakeS3 {
  readonly endpoint: string
  readonly objects: Map<string, StoredObject>
  /** Multipart uploads in progress, by upload id. */
  readonly uploads: Map<string, Upload>
  readonly requests: Array<RequestRecord>
  /** Faults for a part number, one per attempt, in order (`undefined` = answer normally). */
  readonly faultPart: (partNumber: number, faults: ReadonlyArray<Fault | undefined>) => void
  /** Attempts each part number received. */
  readonly attempts: (partNumber: number) => number
  /** Faults for PutObject, one per attempt, in order (`undefined` = answer normally). */
  readonly faultPut: (faults: ReadonlyArray<Fault | undefined>) => void
  /** PutObject attempts received. */
  readonly putAttempts: () => number
  /** Requests whose body has arrived, faulted or not (`requests` holds only those answered normally). */
  readonly received: () => number
  /** Connections open now, from any client. */
  readonly openSockets: () => number
  /**
   * Runs when a request's body has arrived, before it is faulted or answered; returning a promise
   * holds the answer (and the state change it makes) until the promise settles. `index` counts
   * every request from 0 since the last `reset`.
   */
  beforeAnswer: ((index: number, method: string, url: string) => Promise<void> | undefined) | undefined
  /** Bytes of parts received completely (UploadPart requests whose body ended). */
  readonly partBytesStored: () => number
  /** UploadPart requests being received or answered now, and the most at once. */
  readonly partsInFlight: () => number
  readonly maxPartsInFlight: () => number
  /**
   * Runs before a GET is answered (e.g. to overwrite the object after the first one), with the
   * GET's index and its Range header; answering `"hang"` leaves that GET unanswered,
   * `{ stallAfter: n }` sends a ranged GET's headers and first `n` bytes and never the rest, and
   * `{ resetAfter: n }` sends them and then drops the connection.
   */
  onGet: ((key: string, index: number, range: string | undefined) => GetAnswer | undefined) | undefined
  /** Report this as the object checksum on completion instead of the real one. */
  completeChecksumOverride: string | undefined
  /** Keys DeleteObjects refuses (reported per key as AccessDenied). */
  readonly refuseDelete: Set<string>
  readonly put: (bucket: string, key: string, body: Uint8Array) => void
  readonly reset: () => void
}

const md5Etag = (b: Uint8Array) => `"${createHash("md5").update(b).digest("hex")}"`

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&")

const algorithmOf = (headers: http.IncomingHttpHeaders): Checksums.ChecksumAlgorithm | undefined => {
  for (const a of Checksums.algorithms) if (headers[Checksums.headerOf(a)] !== undefined) return a
  const named = headers["x-amz-checksum-algorithm"] ?? headers["x-amz-sdk-checksum-algorithm"]
  return typeof named === "string" ? Checksums.parseAlgorithm(named) : undefined
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64")

/** Starts the fake on a free loopback port, for as long as the scope is open. */
export const make: Effect.Effect<FakeS3, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<{ fake: FakeS3; server: http.Server; sockets: Set<Socket> }>((resume) => {
    const objects = new Map<string, StoredObject>()
    const uploads = new Map<string, Upload>()
    const requests: Array<RequestRecord> = []
    const faults = new Map<number, Array<Fault | undefined>>()
    const attemptCounts = new Map<number, number>()
    let putFaults: Array<Fault | undefined> = []
    let putAttemptCount = 0
    let receivedCount = 0
    let stored = 0
    let inFlight = 0
    let maxInFlight = 0
    let getIndex = 0
    let uploadCounter = 0
    const sockets = new Set<Socket>()

    const sendError = (res: http.ServerResponse, status: number, code: string, message = code) => {
      const body = xml(`<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`)
      res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) })
      res.end(body)
    }
    const sendStatus = (res: http.ServerResponse, status: number) => {
      res.writeHead(status)
      res.end()
    }
    const sendXml = (res: http.ServerResponse, body: string, headers: Record<string, string> = {}) => {
      const text = xml(body)
      res.writeHead(200, {
        ...headers,
        "content-type": "application/xml",
        "content-length": Buffer.byteLength(text)
      })
      res.end(text)
    }

    const handle = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
      const url = new URL(req.url ?? "/", "http://localhost")
      const segments = url.pathname.split("/").slice(1)
      const bucket = decodeURIComponent(segments[0] ?? "")
      const key = segments.slice(1).map(decodeURIComponent).join("/")
      const q = url.searchParams
      const method = req.method ?? "GET"
      const objectKey = `${bucket}/${key}`
      const partNumber = q.has("partNumber") ? Number(q.get("partNumber")) : undefined
      const headers = req.headers
      const op =
        key === ""
          ? method === "GET" && q.has("uploads")
            ? "ListMultipartUploads"
            : method === "POST" && q.has("delete")
              ? "DeleteObjects"
              : method === "PUT"
                ? "CreateBucket"
                : "Bucket?"
          : method === "POST" && q.has("uploads")
            ? "CreateMultipartUpload"
            : method === "PUT" && q.has("uploadId")
              ? headers["x-amz-copy-source"] !== undefined
                ? "UploadPartCopy"
                : "UploadPart"
              : method === "POST" && q.has("uploadId")
                ? "CompleteMultipartUpload"
                : method === "DELETE" && q.has("uploadId")
                  ? "AbortMultipartUpload"
                  : method === "PUT"
                    ? headers["x-amz-copy-source"] !== undefined
                      ? "CopyObject"
                      : "PutObject"
                    : method === "GET"
                      ? "GetObject"
                      : method === "HEAD"
                        ? "HeadObject"
                        : "Object?"
      requests.push({ op, method, path: url.pathname, partNumber, headers, bytes: body.length })

      const sourceOf = (): StoredObject | undefined => {
        const raw = String(headers["x-amz-copy-source"] ?? "")
        const [path] = raw.replace(/^\//, "").split("?")
        return objects.get(decodeURIComponent(path ?? ""))
      }
      const checkPartChecksum = (
        algorithm: Checksums.ChecksumAlgorithm | undefined
      ): string | false | undefined => {
        if (algorithm === undefined) return undefined
        const sent = headers[Checksums.headerOf(algorithm)]
        const actual = Checksums.checksumBase64(algorithm, body)
        if (typeof sent === "string" && sent !== actual) return false
        return actual
      }

      switch (op) {
        case "CreateBucket":
          res.writeHead(200, { "content-length": 0 })
          return res.end()
        case "PutObject": {
          const algorithm = algorithmOf(headers)
          const checksum = checkPartChecksum(algorithm)
          if (checksum === false) return sendError(res, 400, "BadDigest")
          const etag = md5Etag(body)
          objects.set(objectKey, {
            body,
            etag,
            headers: { "content-type": String(headers["content-type"] ?? "") }
          })
          res.writeHead(200, {
            etag,
            "content-length": 0,
            ...(algorithm === undefined || checksum === undefined
              ? {}
              : { [Checksums.headerOf(algorithm)]: checksum })
          })
          return res.end()
        }
        case "CopyObject": {
          const source = sourceOf()
          if (source === undefined) return sendError(res, 404, "NoSuchKey")
          objects.set(objectKey, source)
          return sendXml(res, `<CopyObjectResult><ETag>${escapeXml(source.etag)}</ETag></CopyObjectResult>`)
        }
        case "GetObject":
        case "HeadObject": {
          const object = objects.get(objectKey)
          const answer = op === "GetObject" ? onGetHook?.(objectKey, getIndex++, headers.range) : undefined
          if (answer === "hang") return
          const current = objects.get(objectKey) ?? object
          if (current === undefined)
            return op === "HeadObject" ? sendStatus(res, 404) : sendError(res, 404, "NoSuchKey")
          const ifMatch = headers["if-match"]
          if (ifMatch !== undefined && ifMatch !== current.etag) {
            return op === "HeadObject" ? sendStatus(res, 412) : sendError(res, 412, "PreconditionFailed")
          }
          const size = current.body.length
          const base = {
            etag: current.etag,
            "accept-ranges": "bytes",
            "last-modified": new Date(0).toUTCString()
          }
          const range = /^bytes=(\d+)-(\d*)$/.exec(String(headers.range ?? ""))
          if (op === "GetObject" && range !== null) {
            const start = Number(range[1])
            const end = Math.min(size - 1, range[2] === "" ? size - 1 : Number(range[2]))
            if (start >= size) return sendError(res, 416, "InvalidRange")
            const slice = current.body.subarray(start, end + 1)
            res.writeHead(206, {
              ...base,
              "content-length": slice.length,
              "content-range": `bytes ${start}-${end}/${size}`
            })
            if (answer === undefined) return res.end(slice)
            if ("stallAfter" in answer) return void res.write(slice.subarray(0, answer.stallAfter))
            res.flushHeaders()
            return void res.write(slice.subarray(0, answer.resetAfter), () => res.socket?.destroy())
          }
          res.writeHead(200, { ...base, "content-length": size })
          return res.end(op === "GetObject" ? current.body : undefined)
        }
        case "DeleteObjects": {
          const text = body.toString()
          const keys = Array.from(text.matchAll(/<Key>([^<]*)<\/Key>/g), (m) => unescapeXml(m[1]!))
          const quiet = /<Quiet>true<\/Quiet>/.test(text)
          const parts: Array<string> = []
          for (const k of keys) {
            if (fake.refuseDelete.has(k)) {
              parts.push(
                `<Error><Key>${escapeXml(k)}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
              )
            } else {
              objects.delete(`${bucket}/${k}`)
              if (!quiet) parts.push(`<Deleted><Key>${escapeXml(k)}</Key></Deleted>`)
            }
          }
          return sendXml(res, `<DeleteResult>${parts.join("")}</DeleteResult>`)
        }
        case "CreateMultipartUpload": {
          const uploadId = `upload-${++uploadCounter}`
          const named = headers["x-amz-checksum-algorithm"]
          uploads.set(uploadId, {
            bucket,
            key,
            algorithm: typeof named === "string" ? Checksums.parseAlgorithm(named) : undefined,
            headers: { "content-type": String(headers["content-type"] ?? "") },
            parts: new Map()
          })
          return sendXml(
            res,
            `<InitiateMultipartUploadResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`
          )
        }
        case "UploadPart":
        case "UploadPartCopy": {
          const upload = uploads.get(q.get("uploadId") ?? "")
          if (upload === undefined) return sendError(res, 404, "NoSuchUpload")
          const n = partNumber ?? 0
          let data = body
          if (op === "UploadPartCopy") {
            const source = sourceOf()
            if (source === undefined) return sendError(res, 404, "NoSuchKey")
            const ifMatch = headers["x-amz-copy-source-if-match"]
            if (ifMatch !== undefined && ifMatch !== source.etag)
              return sendError(res, 412, "PreconditionFailed")
            const r = /^bytes=(\d+)-(\d+)$/.exec(String(headers["x-amz-copy-source-range"] ?? ""))
            data = r === null ? source.body : source.body.subarray(Number(r[1]), Number(r[2]) + 1)
          }
          const checksum = checkPartChecksum(upload.algorithm)
          if (op === "UploadPart" && checksum === false) return sendError(res, 400, "BadDigest")
          const etag = md5Etag(data)
          upload.parts.set(n, {
            body: data,
            etag,
            checksum:
              upload.algorithm === undefined ? undefined : Checksums.checksumBase64(upload.algorithm, data)
          })
          if (op === "UploadPartCopy") {
            return sendXml(res, `<CopyPartResult><ETag>${escapeXml(etag)}</ETag></CopyPartResult>`)
          }
          res.writeHead(200, { etag, "content-length": 0 })
          return res.end()
        }
        case "CompleteMultipartUpload": {
          const uploadId = q.get("uploadId") ?? ""
          const upload = uploads.get(uploadId)
          if (upload === undefined) return sendError(res, 404, "NoSuchUpload")
          const listed = Array.from(body.toString().matchAll(/<Part>([\s\S]*?)<\/Part>/g), (m) => {
            const part = m[1]!
            return {
              n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part)?.[1]),
              etag: unescapeXml(/<ETag>([^<]*)<\/ETag>/.exec(part)?.[1] ?? "")
            }
          })
          const chunks: Array<Buffer> = []
          const md5s: Array<Buffer> = []
          const sums: Array<Buffer> = []
          for (const p of listed) {
            const stored = upload.parts.get(p.n)
            if (stored === undefined || stored.etag !== p.etag) return sendError(res, 400, "InvalidPart")
            chunks.push(stored.body)
            md5s.push(Buffer.from(stored.etag.replace(/"/g, ""), "hex"))
            if (stored.checksum !== undefined) sums.push(Buffer.from(stored.checksum, "base64"))
          }
          const whole = Buffer.concat(chunks)
          const etag = `"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${listed.length}"`
          objects.set(`${upload.bucket}/${upload.key}`, { body: whole, etag, headers: upload.headers })
          uploads.delete(uploadId)
          let checksumXml = ""
          if (upload.algorithm !== undefined) {
            const h = Checksums.hasher(upload.algorithm)
            for (const s of sums) h.update(s)
            const value = fake.completeChecksumOverride ?? `${b64(h.digest())}-${listed.length}`
            checksumXml = `<Checksum${upload.algorithm}>${value}</Checksum${upload.algorithm}>`
          }
          return sendXml(
            res,
            `<CompleteMultipartUploadResult><Bucket>${escapeXml(upload.bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><ETag>${escapeXml(etag)}</ETag>${checksumXml}</CompleteMultipartUploadResult>`
          )
        }
        case "AbortMultipartUpload": {
          const uploadId = q.get("uploadId") ?? ""
          if (!uploads.delete(uploadId)) return sendError(res, 404, "NoSuchUpload")
          res.writeHead(204)
          return res.end()
        }
        case "ListMultipartUploads": {
          const entries = Array.from(uploads.entries())
            .filter(([, u]) => u.bucket === bucket)
            .map(
              ([id, u]) =>
                `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${id}</UploadId><Initiated>2020-01-01T00:00:00.000Z</Initiated></Upload>`
            )
          return sendXml(
            res,
            `<ListMultipartUploadsResult><Bucket>${escapeXml(bucket)}</Bucket><IsTruncated>false</IsTruncated>${entries.join("")}</ListMultipartUploadsResult>`
          )
        }
        default:
          return sendError(res, 405, "MethodNotAllowed")
      }
    }

    let onGetHook: FakeS3["onGet"]
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost")
      const isPart =
        req.method === "PUT" &&
        url.searchParams.has("uploadId") &&
        req.headers["x-amz-copy-source"] === undefined
      const partNumber = Number(url.searchParams.get("partNumber"))
      const isPut =
        req.method === "PUT" &&
        !url.searchParams.has("uploadId") &&
        req.headers["x-amz-copy-source"] === undefined &&
        url.pathname.split("/").length > 2
      let fault: Fault | undefined
      if (isPut) fault = putFaults[putAttemptCount++]
      if (isPart) {
        const attempt = (attemptCounts.get(partNumber) ?? 0) + 1
        attemptCounts.set(partNumber, attempt)
        fault = faults.get(partNumber)?.[attempt - 1]
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        res.once("close", () => inFlight--)
      }
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const body = Buffer.concat(chunks)
        if (isPart) stored += body.length
        const answer = () => {
          if (fault !== undefined) {
            if ("hang" in fault) return
            if ("reset" in fault) return void req.socket.destroy()
            return sendError(res, fault.status, fault.code)
          }
          handle(req, res, body)
        }
        const held = fake.beforeAnswer?.(receivedCount++, req.method ?? "GET", req.url ?? "/")
        if (held === undefined) answer()
        else held.then(answer, answer)
      })
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
    let endpoint = ""
    const fake: FakeS3 = {
      get endpoint() {
        return endpoint
      },
      objects,
      uploads,
      requests,
      faultPart: (n, list) => void faults.set(n, [...list]),
      attempts: (n) => attemptCounts.get(n) ?? 0,
      faultPut: (list) => {
        putFaults = [...list]
      },
      putAttempts: () => putAttemptCount,
      received: () => receivedCount,
      openSockets: () => sockets.size,
      beforeAnswer: undefined,
      partBytesStored: () => stored,
      partsInFlight: () => inFlight,
      maxPartsInFlight: () => maxInFlight,
      get onGet() {
        return onGetHook
      },
      set onGet(f) {
        onGetHook = f
      },
      completeChecksumOverride: undefined,
      refuseDelete: new Set(),
      put: (bucket, key, body) => {
        const b = Buffer.from(body)
        objects.set(`${bucket}/${key}`, { body: b, etag: md5Etag(b), headers: {} })
      },
      reset: () => {
        objects.clear()
        uploads.clear()
        requests.length = 0
        faults.clear()
        attemptCounts.clear()
        putFaults = []
        putAttemptCount = 0
        receivedCount = 0
        fake.beforeAnswer = undefined
        stored = 0
        maxInFlight = 0
        getIndex = 0
        uploadCounter = 0
        onGetHook = undefined
        fake.completeChecksumOverride = undefined
        fake.refuseDelete.clear()
      }
    }
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      endpoint = `http://127.0.0.1:${port}`
      resume(Effect.succeed({ fake, server, sockets }))
    })
  }),
  ({ server, sockets }) =>
    Effect.async<void>((resume) => {
      for (const s of sockets) s.destroy()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ fake }) => fake))
