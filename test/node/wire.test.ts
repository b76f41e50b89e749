import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeCheckString, verifyCheckString } from '../../src/server/client/check-string.js';
import { decodeValue, encodeForm, encodeResponse, encodeValue, parseErrors, parseForm } from '../../src/server/client/wire.js';

describe('.idPass wire format', () => {
  it('encodes values as percent-encoded Windows-31J bytes', () => {
    // 東 = 93 8C, 京 = 8B 9E, 都 = 93 73 ('s' is unreserved and stays a letter)
    assert.equal(encodeValue('東京都'), '%93%8C%8B%9E%93s');
    assert.equal(encodeValue('a b+c&d=e'), 'a+b%2Bc%26d%3De');
    // Windows-31J, not plain Shift_JIS: 髙 (FB FC), ① (87 40), ～ (81 60)
    assert.equal(encodeValue('髙①～'), '%FB%FC%87%40%81%60');
  });

  it('decodes Windows-31J both ways without loss', () => {
    for (const text of ['アマゾン 花子', '髙橋 﨑子', 'ノースゲートビル ①号室', '〒150-0002 渋谷２丁目２１－１', 'ご購入ありがとうございます。～']) {
      assert.equal(decodeValue(encodeValue(text)), text);
    }
    assert.equal(decodeValue('%E6%9D%B1', 'utf-8'), '東');
  });

  it('sends JIS forms as their Windows-31J twins (Amazon\'s "２１−１" keeps its dash)', () => {
    assert.equal(decodeValue(encodeValue('渋谷２丁目２１\u2212１ 〜')), '渋谷２丁目２１\uFF0D１ \uFF5E');
  });

  it('refuses characters Windows-31J lacks, naming the field, instead of sending "?"', () => {
    assert.throws(() => encodeForm({ Description: 'お寿司🍣をどうぞ' }), /Description: "🍣" \(U\+1F363\) has no Windows-31J code/);
    assert.throws(() => encodeValue('𠮷野家', 'ClientField1'), /ClientField1: "𠮷" \(U\+20BB7\)/);
  });

  it('builds request bodies, leaving out empty fields', () => {
    const body = encodeForm({ ShopID: 'tshop00000001', Description: 'ご購入', ClientField1: '', Tax: undefined, Amount: 1000 });
    assert.equal(body.toString('latin1'), 'ShopID=tshop00000001&Description=%82%B2%8Dw%93%FC&Amount=1000');
  });

  it('splits answers on the first "=", keeps Token raw and drops the trailing newline', () => {
    const fields = parseForm(
      Buffer.from('AccessID=abc&Token=ab+cd/ef==&StartURL=https%3A%2F%2Fpt01.mul-pay.jp%2Fpayment%2FAmazonpayStart.idPass&Empty=\r\n', 'latin1'),
    );
    assert.deepEqual(fields, {
      AccessID: 'abc',
      Token: 'ab+cd/ef==',
      StartURL: 'https://pt01.mul-pay.jp/payment/AmazonpayStart.idPass',
      Empty: '',
    });
  });

  it('writes answers with Token raw and everything else encoded', () => {
    const body = encodeResponse({ Token: 'x+y/z=', ShippingCity: '渋谷区' });
    assert.equal(body.toString('latin1'), 'Token=x+y/z=&ShippingCity=%8Fa%92J%8B%E6');
    assert.deepEqual(parseForm(body), { Token: 'x+y/z=', ShippingCity: '渋谷区' });
  });

  it('pairs several errors in order, and tolerates a trailing "|" and uneven lists', () => {
    assert.deepEqual(parseErrors({ ErrCode: 'E01|E01|E01', ErrInfo: 'E01010001|E01020001|E01030002' }), [
      { errCode: 'E01', errInfo: 'E01010001' },
      { errCode: 'E01', errInfo: 'E01020001' },
      { errCode: 'E01', errInfo: 'E01030002' },
    ]);
    assert.deepEqual(parseErrors({ ErrCode: 'E01|', ErrInfo: 'E01040010|' }), [{ errCode: 'E01', errInfo: 'E01040010' }]);
    assert.deepEqual(parseErrors({ ErrCode: 'E01', ErrInfo: 'E01040010|E01060001' }), [
      { errCode: 'E01', errInfo: 'E01040010' },
      { errCode: 'E01', errInfo: 'E01060001' },
    ]);
    assert.deepEqual(parseErrors({ AccessID: 'x' }), []);
  });
});

describe('CheckString', () => {
  const input = { orderId: 'ORDER-1', accessId: 'a'.repeat(32), shopId: 'tshop00000001', shopPass: 'pass', amazonChargePermissionId: 'S03-1234567-1234567' };

  it('is the lowercase SHA-256 hex of OrderID + AccessID + ShopID + ShopPass + AmazonChargePermissionID', async () => {
    const { createHash } = await import('node:crypto');
    const expected = createHash('sha256')
      .update('ORDER-1' + 'a'.repeat(32) + 'tshop00000001' + 'pass' + 'S03-1234567-1234567')
      .digest('hex');
    assert.equal(computeCheckString(input), expected);
    assert.match(expected, /^[0-9a-f]{64}$/);
  });

  it('detects any tampering', () => {
    const good = computeCheckString(input);
    assert.equal(verifyCheckString(input, good), true);
    assert.equal(verifyCheckString(input, good.toUpperCase()), true);
    assert.equal(verifyCheckString({ ...input, orderId: 'ORDER-2' }, good), false);
    assert.equal(verifyCheckString({ ...input, amazonChargePermissionId: 'S03-0000000-0000000' }, good), false);
    assert.equal(verifyCheckString({ ...input, shopPass: 'guess' }, good), false);
    assert.equal(verifyCheckString(input, good.slice(0, 63) + (good[63] === '0' ? '1' : '0')), false);
    assert.equal(verifyCheckString(input, ''), false);
    assert.equal(verifyCheckString(input, undefined), false);
  });
});
