/**
 * Replays recorded HTTP traffic (`http-traffic.json` of the credentials provider suites: a list
 * of request/response events per connection) from a loopback `node:http` server.
 *
 * The SDK under test resolves its endpoints as it would in production (IMDS, ECS, STS, SSO, with
 * their FIPS, dual-stack and override settings); {@link transport} wraps a real transport so that
 * every request goes to the loopback server instead, carrying the URL it was meant for. The server
 * answers a request with the first unused recording of the same method and URL (query parameters
 * compared as a set), and checks the recorded IMDS token, SSO bearer token and content type. A
 * repeat of a request whose recordings are used up (a retry) gets the last recorded answer again;
 * a request never recorded is answered 404 and reported.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import type { Scope } from "effect/Scope"
import type { TransportService } from "../../src/Request/Transport.js"

type Headers = Readonly<Record<string, ReadonlyArray<string>>>

interface RecordedEvent {
  readonly connection_id: number
  readonly action: {
    readonly Request?: {
      readonly request: { readonly uri: string; readonly method: string; readonly headers: Headers }
    }
    readonly Response?: {
      readonly response: { readonly Ok?: { readonly status: number; readonly headers: Headers } }
    }
    readonly Data?: {
      readonly data: { readonly Utf8?: string; readonly Base64?: string }
      readonly direction: "Request" | "Response"
    }
  }
}

/** One recorded request and its answer. */
export interface Exchange {
  readonly method: string
  readonly url: string
  readonly requestHeaders: Readonly<Record<string, string>>
  readonly status: number
  readonly responseHeaders: Readonly<Record<string, string>>
  readonly body: string
}

const lowerHeaders = (headers: Headers | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v.join(", ")]))

/** The exchanges of a traffic file, in the order their requests were made. */
export const parseTraffic = (traffic: {
  readonly events: ReadonlyArray<RecordedEvent>
}): ReadonlyArray<Exchange> => {
  const byConnection = new Map<
    number,
    {
      method: string
      url: string
      requestHeaders: Record<string, string>
      status: number
      headers: Record<string, string>
      body: string
    }
  >()
  for (const event of traffic.events) {
    const { Request, Response, Data } = event.action
    if (Request !== undefined) {
      byConnection.set(event.connection_id, {
        method: Request.request.method,
        url: Request.request.uri,
        requestHeaders: lowerHeaders(Request.request.headers),
        status: 0,
        headers: {},
        body: ""
      })
    }
    const exchange = byConnection.get(event.connection_id)
    if (exchange === undefined) continue
    if (Response?.response.Ok !== undefined) {
      exchange.status = Response.response.Ok.status
      exchange.headers = lowerHeaders(Response.response.Ok.headers)
    }
    if (Data !== undefined && Data.direction === "Response") {
      exchange.body +=
        Data.data.Utf8 ??
        (Data.data.Base64 === undefined ? "" : Buffer.from(Data.data.Base64, "base64").toString("utf8"))
    }
  }
  return [...byConnection.values()].map((e) => ({
    method: e.method,
    url: e.url,
    requestHeaders: e.requestHeaders,
    status: e.status,
    responseHeaders: e.headers,
    body: e.body
  }))
}

/** A URL in a form two spellings of the same address agree on (default port, `/`, query order). */
export const normalizeUrl = (text: string): string => {
  const url = new URL(text)
  const query = [...url.searchParams.entries()].sort(([a, x], [b, y]) =>
    a === b ? x.localeCompare(y) : a.localeCompare(b)
  )
  const path = url.pathname === "" ? "/" : url.pathname
  return `${url.protocol}//${url.host}${path}${query.length === 0 ? "" : `?${new URLSearchParams(query).toString()}`}`
}

/** Request headers whose recorded values must match. */
const checkedHeaders = ["x-aws-ec2-metadata-token", "x-amz-sso_bearer_token"] as const

export interface ReplayServer {
  readonly port: number
  /** Problems seen so far: unrecorded requests, header mismatches. */
  readonly problems: Array<string>
  /** Recordings no request used. */
  readonly unused: () => ReadonlyArray<string>
}

/** Where the wrapped transport says a request was meant to go. */
const targetHeader = "x-replay-target-url"

/** Starts the server for some exchanges; it closes with the scope. */
export const start = (exchanges: ReadonlyArray<Exchange>): Effect.Effect<ReplayServer, never, Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly replay: ReplayServer }>((resume) => {
      const used = exchanges.map(() => false)
      const problems: Array<string> = []
      const server = http.createServer((req, res) => {
        req.resume()
        req.on("end", () => {
          const target = String(req.headers[targetHeader] ?? "")
          const method = req.method ?? ""
          const wanted = normalizeUrl(target)
          const matches = (e: Exchange) => e.method === method && normalizeUrl(e.url) === wanted
          let index = exchanges.findIndex((e, i) => !used[i] && matches(e))
          if (index >= 0) used[index] = true
          else {
            for (let i = exchanges.length - 1; i >= 0 && index < 0; i--) {
              const candidate = exchanges[i]
              if (candidate !== undefined && matches(candidate)) index = i
            }
          }
          const exchange = exchanges[index]
          if (exchange === undefined) {
            problems.push(`unrecorded request: ${method} ${target}`)
            res.writeHead(404, { "content-type": "text/plain" })
            res.end("no recorded exchange")
            return
          }
          for (const name of checkedHeaders) {
            const recorded = exchange.requestHeaders[name]
            if (recorded !== undefined && req.headers[name] !== recorded) {
              problems.push(
                `${method} ${target}: header ${name} is ${JSON.stringify(req.headers[name])}, recorded ${JSON.stringify(recorded)}`
              )
            }
          }
          const recordedType = exchange.requestHeaders["content-type"]?.split(";")[0]?.trim()
          const sentType = req.headers["content-type"]?.split(";")[0]?.trim()
          if (recordedType !== undefined && sentType !== recordedType) {
            problems.push(
              `${method} ${target}: content-type ${JSON.stringify(sentType)}, recorded ${JSON.stringify(recordedType)}`
            )
          }
          const headers = Object.fromEntries(
            Object.entries(exchange.responseHeaders).filter(
              ([k]) => k !== "content-length" && k !== "transfer-encoding" && k !== "connection"
            )
          )
          res.writeHead(exchange.status, headers)
          res.end(exchange.body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        resume(
          Effect.succeed({
            server,
            replay: {
              port: (server.address() as AddressInfo).port,
              problems,
              unused: () => exchanges.filter((_, i) => !used[i]).map((e) => `${e.method} ${e.url}`)
            }
          })
        )
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ replay }) => replay))

/** A transport that sends every request to the replay server, saying where it was meant to go. */
export const transport = (inner: TransportService, replay: ReplayServer): TransportService => ({
  send: (request, options) => {
    const host = request.hostname.includes(":") ? `[${request.hostname}]` : request.hostname
    const port = request.port === undefined ? "" : `:${request.port}`
    const query = new URLSearchParams(request.query.map(([k, v]) => [k, v])).toString()
    const target = `${request.protocol}//${host}${port}${request.path === "" ? "/" : request.path}${query === "" ? "" : `?${query}`}`
    return inner.send(
      {
        ...request,
        protocol: "http:",
        hostname: "127.0.0.1",
        port: replay.port,
        headers: { ...request.headers, [targetHeader]: target }
      },
      options
    )
  }
})
