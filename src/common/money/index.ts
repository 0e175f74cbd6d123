export * from './money';
export * from './minor-units.transformer';
export * from './amount-field';
