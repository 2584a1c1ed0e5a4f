import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { contactPage } from '../common/html';
import { ListIdParamsDto } from '../common/id-params.dto';
import { toContactView, type ContactView } from '../contacts/contact.view';
import { ContactsService } from '../contacts/contacts.service';
import { CreateContactDto } from '../contacts/dto/create-contact.dto';
import { UpdateProfileDto } from '../contacts/dto/update-contact.dto';
import { ListsService } from '../lists/lists.service';
import { TokenParamsDto } from './dto/tracking.dto';

/** The contact's own pages: sign-up form, unsubscribe link, profile. Source `contact`. */
@Controller('public')
export class PublicController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly lists: ListsService,
  ) {}

  /** Accepts JSON or an HTML form post (application/x-www-form-urlencoded, `fields[city]=…`). */
  @Post('lists/:listId/subscribe')
  async subscribe(
    @Param() { listId }: ListIdParamsDto,
    @Body() body: CreateContactDto,
  ): Promise<{ listId: number; email: string; status: 'subscribed' }> {
    await this.contacts.subscribeFromForm(listId, body);
    return { listId, email: body.email, status: 'subscribed' };
  }

  @Get('unsubscribe/:token')
  async unsubscribe(
    @Param() { token }: TokenParamsDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const contact = await this.contacts.unsubscribe(
      await this.contacts.getByToken(token),
      'contact',
    );
    const list = await this.lists.get(contact.listId);
    response.type('html');
    return contactPage('Unsubscribed', `${contact.email} will no longer receive "${list.name}".`);
  }

  @Post('profile/:token')
  @HttpCode(HttpStatus.OK)
  async updateProfile(
    @Param() { token }: TokenParamsDto,
    @Body() body: UpdateProfileDto,
  ): Promise<ContactView> {
    const contact = await this.contacts.update(
      await this.contacts.getByToken(token),
      body,
      'contact',
    );
    return toContactView(contact);
  }
}
