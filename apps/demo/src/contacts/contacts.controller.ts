import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import { IdParamsDto, ListIdParamsDto } from '../common/id-params.dto';
import { RequestSource } from '../common/request-source.decorator';
import { RequestSourceGuard, type ManagementSource } from '../common/request-source.guard';
import type { Contact } from './contact.entity';
import { ContactsService } from './contacts.service';
import { CreateContactDto } from './dto/create-contact.dto';
import { UpdateContactDto } from './dto/update-contact.dto';

/** Management routes, shared by the admin UI (no key) and API clients (`x-api-key`). */
@Controller()
@UseGuards(RequestSourceGuard)
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Post('lists/:listId/contacts')
  add(
    @Param() { listId }: ListIdParamsDto,
    @Body() body: CreateContactDto,
    @RequestSource() source: ManagementSource,
  ): Promise<Contact> {
    return this.contacts.add(listId, body, source);
  }

  @Get('lists/:listId/contacts')
  findByList(@Param() { listId }: ListIdParamsDto): Promise<Contact[]> {
    return this.contacts.findByList(listId);
  }

  @Get('contacts/:id')
  get(@Param() { id }: IdParamsDto): Promise<Contact> {
    return this.contacts.get(id);
  }

  @Patch('contacts/:id')
  async update(
    @Param() { id }: IdParamsDto,
    @Body() body: UpdateContactDto,
    @RequestSource() source: ManagementSource,
  ): Promise<Contact> {
    return this.contacts.update(await this.contacts.get(id), body, source);
  }

  @Post('contacts/:id/unsubscribe')
  @HttpCode(HttpStatus.OK)
  async unsubscribe(
    @Param() { id }: IdParamsDto,
    @RequestSource() source: ManagementSource,
  ): Promise<Contact> {
    return this.contacts.unsubscribe(await this.contacts.get(id), source);
  }
}
