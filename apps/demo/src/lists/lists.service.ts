import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { CreateListDto } from './dto/create-list.dto';
import { List } from './list.entity';

@Injectable()
export class ListsService {
  constructor(@InjectRepository(List) private readonly lists: Repository<List>) {}

  create(input: CreateListDto): Promise<List> {
    return this.lists.save(this.lists.create({ name: input.name }));
  }

  findAll(): Promise<List[]> {
    return this.lists.find({ order: { id: 'ASC' } });
  }

  async get(id: number): Promise<List> {
    const list = await this.lists.findOneBy({ id });
    if (!list) throw new NotFoundException(`list ${id} not found`);
    return list;
  }

  findByName(name: string): Promise<List | null> {
    return this.lists.findOne({ where: { name }, order: { id: 'ASC' } });
  }
}
