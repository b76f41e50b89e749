/**
 * GMO-PG error codes that matter for Amazon Pay, with a Japanese and an English message.
 * Generic codes come from GMO-PG's published error table; the `E08…` codes are the sandbox's
 * placeholders for Amazon-specific failures whose real codes GMO-PG does not publish (see
 * `SANDBOX_CODES`): a real shop will see other codes there, and they fall back to the generic text.
 */
export interface ErrorCodeInfo {
  ja: string;
  en: string;
}

export const ERROR_CODES: Record<string, ErrorCodeInfo> = {
  E00000000: { ja: '結果通知プログラムの疎通確認です。対処は不要です。', en: 'Result-notification connectivity test; nothing to do.' },
  E00000001: { ja: 'HTTPメソッドがPOSTではありません。', en: 'The HTTP method is not POST.' },
  E00000003: { ja: 'Content-Typeが正しくありません。', en: 'The Content-Type is not form-urlencoded.' },
  E00000010: { ja: 'リクエストの本文が空か、正しくありません。', en: 'The request body is empty or malformed.' },
  E01010001: { ja: 'ショップIDが指定されていません。', en: 'ShopID is missing.' },
  E01010008: { ja: 'ショップIDに半角英数字以外の文字が含まれているか、13桁を超えています。', en: 'ShopID has invalid characters or is too long.' },
  E01020001: { ja: 'ショップパスワードが指定されていません。', en: 'ShopPass is missing.' },
  E01020008: { ja: 'ショップパスワードの形式が正しくありません。', en: 'ShopPass has an invalid format.' },
  E01030002: { ja: 'ショップIDとショップパスワードの組み合わせが正しくありません。', en: 'ShopID and ShopPass do not match.' },
  E01040001: { ja: 'オーダーIDが指定されていません。', en: 'OrderID is missing.' },
  E01040003: { ja: 'オーダーIDが27桁を超えています。', en: 'OrderID is longer than 27 characters.' },
  E01040010: { ja: 'このオーダーIDは既に使用されています。', en: 'This OrderID has been used before.' },
  E01040013: { ja: 'オーダーIDに使用できない文字が含まれています (半角英数字と-のみ)。', en: 'OrderID may only contain a-z, A-Z, 0-9 and -.' },
  E01050001: { ja: '処理区分が指定されていません。', en: 'JobCd is missing.' },
  E01050002: { ja: '処理区分が正しくありません。', en: 'JobCd is invalid (AUTH or CAPTURE).' },
  E01050004: { ja: 'この取引状態では、指定の処理区分は実行できません。', en: 'This JobCd cannot run in the current transaction state.' },
  E01060001: { ja: '利用金額が指定されていません。', en: 'Amount is missing.' },
  E01060005: { ja: '利用金額が最大桁数を超えています。', en: 'Amount exceeds the maximum.' },
  E01060006: { ja: '利用金額に数字以外の文字が含まれています。', en: 'Amount is not a number.' },
  E01060010: { ja: '売上金額が仮売上金額と一致しません。', en: 'The capture amount does not match the authorized amount.' },
  E01070005: { ja: '税送料が最大桁数を超えています。', en: 'Tax exceeds the maximum.' },
  E01070006: { ja: '税送料に数字以外の文字が含まれています。', en: 'Tax is not a number.' },
  E01090001: { ja: '取引IDが指定されていません。', en: 'AccessID is missing.' },
  E01090008: { ja: '取引IDの形式が正しくありません。', en: 'AccessID has an invalid format.' },
  E01100001: { ja: '取引パスワードが指定されていません。', en: 'AccessPass is missing.' },
  E01100008: { ja: '取引パスワードの形式が正しくありません。', en: 'AccessPass has an invalid format.' },
  E01110002: { ja: '取引IDと取引パスワードの組み合わせが正しくありません。', en: 'AccessID and AccessPass do not match.' },
  E01110010: { ja: '取引の決済が完了していません。', en: 'The transaction has not been settled.' },
  E01320012: { ja: '加盟店自由項目1が長すぎます。', en: 'ClientField1 is too long.' },
  E01330012: { ja: '加盟店自由項目2が長すぎます。', en: 'ClientField2 is too long.' },
  E01340012: { ja: '加盟店自由項目3が長すぎます。', en: 'ClientField3 is too long.' },
  E01490005: { ja: '利用金額と税送料の合計が最大値を超えています。', en: 'Amount plus Tax exceeds the maximum.' },
  E11010001: { ja: 'この取引は既に決済が完了しています。', en: 'This transaction has already been settled.' },
  E11010002: { ja: 'この取引は決済が完了していないため、変更できません。', en: 'This transaction is not settled and cannot be changed.' },
  E11010003: { ja: 'この取引は指定の処理を行えません。', en: 'This operation is not allowed on the transaction in its current state.' },
  E11010999: { ja: '既に取引が完了している可能性があります。', en: 'The transaction may already be complete.' },
  E82010001: { ja: '同じ取引を同時に実行しています (排他エラー)。', en: 'The same transaction is being processed concurrently.' },
  E90010001: { ja: '二重送信エラーです。', en: 'Duplicate submission.' },
  E91019999: { ja: '決済処理に失敗しました。', en: 'Payment processing failed.' },
  E91099999: { ja: '決済処理に失敗しました (システムエラー)。', en: 'Payment processing failed (system error).' },
  E91060001: { ja: 'GMO-PG と通信できませんでした。', en: 'Could not reach GMO-PG.' },
  E92000001: { ja: '只今、大変込み合っています。しばらくしてから再度お試しください。', en: 'Rate limit exceeded; try again later.' },
  E92000002: { ja: '只今、大変込み合っています。しばらくしてから再度お試しください。', en: 'Rate limit exceeded; try again later.' },
  // Sandbox placeholders (see SANDBOX_CODES).
  E08000001: { ja: 'Amazon Pay で支払いが承認されませんでした。別のお支払い方法をお試しください。', en: 'Amazon Pay declined the payment.' },
  E08000002: { ja: 'Amazon Pay の画面でお支払いが中止されました。', en: 'The shopper cancelled on Amazon Pay.' },
  E08000003: { ja: '支払手続きのトークンが正しくないか、期限切れです。', en: 'The AmazonpayStart token is wrong or expired.' },
  E08000004: { ja: 'Amazon のチェックアウトセッションが正しくありません。', en: 'The Amazon checkout session is invalid.' },
  E08000005: { ja: 'Amazon チャージパーミッションが利用できません。', en: 'The Amazon charge permission cannot be charged.' },
  E08000006: { ja: 'AmazonpayType が正しくありません (3 または 4)。', en: 'AmazonpayType is invalid (3 or 4).' },
  E08000007: { ja: '決済結果戻しURL (RetURL) が指定されていません。', en: 'RetURL is missing.' },
  E08000010: { ja: '購入者が承認した金額を超えています。', en: 'The amount is more than the buyer approved at Amazon.' },
};

/**
 * The sandbox's codes for Amazon-specific failures. GMO-PG does not publish these for Amazon
 * Pay V2, so these are placeholders in an unused range; treat any code you do not know as a failure.
 */
export const SANDBOX_CODES = {
  declined: 'E08000001',
  buyerCancelled: 'E08000002',
  tokenInvalid: 'E08000003',
  sessionInvalid: 'E08000004',
  chargePermissionUnusable: 'E08000005',
  amazonpayTypeInvalid: 'E08000006',
  retUrlMissing: 'E08000007',
  paymentTermSecInvalid: 'E08000008',
  authorizationExpired: 'E08000009',
  amountNotApproved: 'E08000010',
} as const;

/** Rate-limit codes: the only ones where trying again later can help. */
export const RATE_LIMIT_CODES = new Set(['E92000001', 'E92000002']);
