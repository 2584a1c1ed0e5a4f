import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { ListIdParamsDto } from '../common/id-params.dto';
import { RequestSourceGuard } from '../common/request-source.guard';
import { CreateListDto } from './dto/create-list.dto';
import type { List } from './list.entity';
import { ListsService } from './lists.service';

@Controller('lists')
@UseGuards(RequestSourceGuard)
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Post()
  create(@Body() body: CreateListDto): Promise<List> {
    return this.lists.create(body);
  }

  @Get()
  findAll(): Promise<List[]> {
    return this.lists.findAll();
  }

  @Get(':listId')
  get(@Param() { listId }: ListIdParamsDto): Promise<List> {
    return this.lists.get(listId);
  }
}
