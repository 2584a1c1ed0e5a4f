import { Module } from '@nestjs/common';
import { ListsModule } from '../lists/lists.module';
import { SeedService } from './seed.service';

@Module({
  imports: [ListsModule],
  providers: [SeedService],
  exports: [SeedService],
})
export class SeedModule {}
