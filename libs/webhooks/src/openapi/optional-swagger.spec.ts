describe('optional swagger decorators', () => {
  afterEach(() => jest.resetModules());

  it('document the property when @nestjs/swagger is installed', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ApiProperty } = require('./optional-swagger') as typeof import('./optional-swagger');
    class Documented {
      @ApiProperty({ example: 'x' })
      name!: string;
    }
    expect(Reflect.getMetadata('swagger/apiModelPropertiesArray', Documented.prototype)).toEqual([
      ':name',
    ]);
  });

  it('do nothing, and do not fail, when @nestjs/swagger is not installed', () => {
    jest.doMock('@nestjs/swagger', () => {
      throw new Error("Cannot find module '@nestjs/swagger'");
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const docs = require('./optional-swagger') as typeof import('./optional-swagger');
    class Plain {
      @docs.ApiProperty({ example: 'x' })
      name!: string;
    }
    expect(Reflect.getMetadata('swagger/apiModelPropertiesArray', Plain.prototype)).toBeUndefined();
    class Base {
      a?: string;
    }
    expect(typeof docs.PartialType(Base)).toBe('function');
  });
});
