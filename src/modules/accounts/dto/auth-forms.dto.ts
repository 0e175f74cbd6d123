import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '../../../common/http/validation';
import { PASSWORD_MAX, PASSWORD_MIN } from '../password';

const PASSWORD_MESSAGE = `Use ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`;

export class LoginForm {
  @Trim()
  @IsEmail({}, { message: 'Enter your email address.' })
  email!: string;

  @IsString({ message: 'Enter your password.' })
  @Length(1, PASSWORD_MAX, { message: 'Enter your password.' })
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  next?: string;
}

export class EmailForm {
  @Trim()
  @IsEmail({}, { message: 'Enter an email address like name@example.org.' })
  email!: string;
}

export class NewPasswordForm {
  @IsString()
  @Length(10, 200)
  token!: string;

  @IsString({ message: PASSWORD_MESSAGE })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: PASSWORD_MESSAGE })
  password!: string;

  @IsString({ message: 'Type the same password again.' })
  passwordConfirm!: string;
}
