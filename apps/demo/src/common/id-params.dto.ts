import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Largest value of a PostgreSQL `integer`: larger ids must be refused here, not by the database. */
export const MAX_ID = 2_147_483_647;

const message = '$property must be a positive integer id';

export const IsId = () =>
  applyDecorators(
    Type(() => Number),
    IsInt({ message }),
    Min(1, { message }),
    Max(MAX_ID, { message }),
  );

export class IdParamsDto {
  @IsId()
  id!: number;
}

export class ListIdParamsDto {
  @IsId()
  listId!: number;
}
