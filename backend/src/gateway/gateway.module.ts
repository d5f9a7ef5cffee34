import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';
import { LiveGateway } from './live.gateway';

@Module({ imports: [IncidentsModule], providers: [LiveGateway] })
export class GatewayModule {}
