import { applyDecorators, type Type } from '@nestjs/common';
import { PartialType as mappedPartialType } from '@nestjs/mapped-types';

type Swagger = typeof import('@nestjs/swagger');
type AnyDecorator = ClassDecorator & MethodDecorator & PropertyDecorator;

/** @nestjs/swagger is an optional peer: with it the routes are documented, without it nothing changes. */
function loadSwagger(): Swagger | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@nestjs/swagger') as Swagger;
  } catch {
    return undefined;
  }
}

const swagger = loadSwagger();
const none: AnyDecorator = () => undefined;

/** The subset of swagger's property options the library uses (kept local so swagger stays optional). */
export interface DocPropertyOptions {
  description?: string;
  type?: Type | string | [Type] | Record<string, unknown>;
  isArray?: boolean;
  enum?: readonly string[];
  example?: unknown;
  nullable?: boolean;
  format?: string;
  required?: boolean;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: unknown;
}

type SwaggerPropertyOptions = Parameters<Swagger['ApiProperty']>[0];

export const ApiProperty = (options: DocPropertyOptions = {}): PropertyDecorator =>
  swagger ? swagger.ApiProperty(options as SwaggerPropertyOptions) : none;

export const ApiPropertyOptional = (options: DocPropertyOptions = {}): PropertyDecorator =>
  swagger ? swagger.ApiPropertyOptional(options as SwaggerPropertyOptions) : none;

export const ApiTags = (...tags: string[]): ClassDecorator & MethodDecorator =>
  swagger ? swagger.ApiTags(...tags) : none;

/** Keeps a controller (the portal page) out of the host's API document. */
export const ApiExcludeController = (): ClassDecorator =>
  swagger ? swagger.ApiExcludeController() : none;

export const ApiOperation = (summary: string, description?: string): MethodDecorator =>
  swagger ? swagger.ApiOperation({ summary, description }) : none;

export const ApiResponse = (
  status: number,
  type: Type | [Type] | undefined,
  description: string,
): MethodDecorator => (swagger ? swagger.ApiResponse({ status, type, description }) : none);

/** The error answers a route can give, all shaped like `ErrorResponseDto`. */
export function ApiErrors(
  errorType: Type,
  ...statuses: Array<400 | 401 | 403 | 404 | 409>
): MethodDecorator & ClassDecorator {
  const descriptions: Record<number, string> = {
    400: 'Invalid input; `message` names each offending field',
    401: 'Not authenticated (host guard)',
    403: 'Refused by a host guard, or the tenant could not be resolved',
    404: 'No such subscription or delivery for this tenant and list',
    409: 'Not allowed in the current state, or a limit was reached',
  };
  return applyDecorators(
    ...statuses.map((status) => ApiResponse(status, errorType, descriptions[status])),
  );
}

/** Swagger's PartialType keeps the documented properties; mapped-types' does the rest without swagger. */
export const PartialType: typeof mappedPartialType = swagger
  ? (swagger.PartialType as typeof mappedPartialType)
  : mappedPartialType;
