import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { CreateListDto } from './dto/create-list.dto';
import { MAX_ID } from '../common/id-params.dto';
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

  /** Whether a list has this id as a URL spells it (`admin.listExists` of the webhooks module). */
  async exists(id: string): Promise<boolean> {
    const number = /^[1-9]\d{0,9}$/.test(id) ? Number(id) : NaN;
    return number <= MAX_ID && this.lists.existsBy({ id: number });
  }

  findByName(name: string): Promise<List | null> {
    return this.lists.findOne({ where: { name }, order: { id: 'ASC' } });
  }
}
