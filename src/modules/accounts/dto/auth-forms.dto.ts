import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '../../../common/http/validation';
import { PASSWORD_MAX, PASSWORD_MIN } from '../password';

/** Locale keys (validation-text.ts shows them in the reader's language). */
const PASSWORD_MESSAGE = 'auth.errors.passwordLength';

export class LoginForm {
  @Trim()
  @IsEmail({}, { message: 'auth.errors.enterEmail' })
  email!: string;

  @IsString({ message: 'auth.errors.enterPassword' })
  @Length(1, PASSWORD_MAX, { message: 'auth.errors.enterPassword' })
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  next?: string;
}

export class EmailForm {
  @Trim()
  @IsEmail({}, { message: 'auth.errors.emailLike' })
  email!: string;
}

export class NewPasswordForm {
  @IsString()
  @Length(10, 200)
  token!: string;

  @IsString({ message: PASSWORD_MESSAGE })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: PASSWORD_MESSAGE })
  password!: string;

  @IsString({ message: 'auth.errors.typeAgain' })
  passwordConfirm!: string;
}
