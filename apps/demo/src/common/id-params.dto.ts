import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** Largest value of a PostgreSQL `integer`: larger ids must be refused here, not by the database. */
export const MAX_ID = 2_147_483_647;

/** One rule, so that a bad id gets one message, not one per bound it misses. */
export const IsId = () =>
  applyDecorators(
    Type(() => Number),
    ValidateBy({
      name: 'isId',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID,
        defaultMessage: () => '$property must be a positive integer id',
      },
    }),
  );

export class IdParamsDto {
  @IsId()
  id!: number;
}

export class ListIdParamsDto {
  @IsId()
  listId!: number;
}
