import { z } from '@hono/zod-openapi'
import { GatewayError } from '../../core/errors.ts'
import { ErrorBody } from './schemas.ts'

// Shared pieces of the admin routes' OpenAPI definitions.

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})
export const errors = {
  400: json(ErrorBody, 'Invalid request'),
  401: json(ErrorBody, 'Missing or wrong admin credentials'),
  404: json(ErrorBody, 'Not found'),
  409: json(ErrorBody, 'Conflict'),
}
export const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
})
export const ident = z.string().min(1).max(200)
export const ID = z.object({ id: ident })
export const NAME = z.object({ name: ident })
export const security = [{ bearer: [] }]

export const notFound = (what: string): GatewayError =>
  new GatewayError('not_found', `No such ${what}.`, { publicCode: 'not_found' })

/** The answers of a DELETE on an admin resource. */
export const deleteResponses = {
  204: { description: 'Deleted' },
  401: errors[401],
  404: errors[404],
  409: errors[409],
}
