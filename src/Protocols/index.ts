/**
 * The AWS wire protocols, driven by the shape model: `codecFor(metadata)` picks the codec of a
 * service's protocol (rest-xml, rest-json, json, query, ec2 or smithy-rpc-v2-cbor).
 *
 * @since 0.1.0
 */
import { makeJsonRpc } from "./JsonRpc.js"
import type { CodecOptions, ProtocolCodec } from "./Protocol.js"
import { makeEc2, makeQuery } from "./Query.js"
import { makeRestJson } from "./RestJson.js"
import { makeRestXml } from "./RestXml.js"
import { makeRpcV2Cbor } from "./RpcV2Cbor.js"
import type { ServiceMetadata } from "./Shape.js"

export * as Api2 from "./Api2.js"
export * as Bytes from "./Bytes.js"
export * as Cbor from "./Cbor.js"
export * as EventStream from "./EventStream.js"
export * as HttpBinding from "./HttpBinding.js"
export * as JsonRpc from "./JsonRpc.js"
export * as Protocol from "./Protocol.js"
export * as Query from "./Query.js"
export * as RestJson from "./RestJson.js"
export * as RestXml from "./RestXml.js"
export * as RpcV2Cbor from "./RpcV2Cbor.js"
export * as ServiceError from "./ServiceError.js"
export * as Shape from "./Shape.js"
export * as Streaming from "./Streaming.js"
export * as Timestamp from "./Timestamp.js"
export * as UriEncoding from "./UriEncoding.js"
export * as Xml from "./Xml.js"

/** The codec of a service's protocol (`options.serviceErrors`: all of the service's error shapes). */
export const codecFor = (metadata: ServiceMetadata, options?: CodecOptions): ProtocolCodec => {
  switch (metadata.protocol) {
    case "rest-xml":
      return makeRestXml(metadata, options)
    case "rest-json":
      return makeRestJson(metadata, options)
    case "json":
      return makeJsonRpc(metadata, options)
    case "query":
      return makeQuery(metadata, options)
    case "ec2":
      return makeEc2(metadata, options)
    case "smithy-rpc-v2-cbor":
      return makeRpcV2Cbor(metadata, options)
  }
}
