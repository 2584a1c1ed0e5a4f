import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { RequestSourceGuard } from '../common/request-source.guard';
import { BouncesService } from './bounces.service';
import { ReportBounceDto } from './dto/report-bounce.dto';

/** Called by the mail provider. A wrong `x-api-key` is refused; the processing is the system's. */
@Controller('bounces')
@UseGuards(RequestSourceGuard)
export class BouncesController {
  constructor(private readonly bounces: BouncesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async report(@Body() body: ReportBounceDto): Promise<{ status: 'queued' }> {
    await this.bounces.report(body);
    return { status: 'queued' };
  }
}
