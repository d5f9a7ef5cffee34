import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class ChangePasswordDto {
  @ApiProperty({ example: 'Vx7k-Q2mT-r9pH-c4wZ' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  currentPassword!: string;

  @ApiProperty({ example: 'a long passphrase nobody else uses' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  newPassword!: string;
}
