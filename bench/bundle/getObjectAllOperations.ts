/** `getObject.ts` with every export of the S3 module kept (all operations, paginators, waiters). */
import * as S3 from "../../src/Services/S3/index.js"
import "./getObject.js"

console.log(Object.keys(S3).length)
