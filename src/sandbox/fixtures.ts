/** The sandbox's test buyer, addresses and cards: Japanese data, to exercise Windows-31J both ways. */
export interface SandboxAddress {
  name: string;
  postalCode: string;
  stateOrRegion: string;
  city: string;
  addressLine1: string;
  addressLine2: string;
  addressLine3: string;
  phoneNumber: string;
}

export const BUYER = {
  buyerId: 'amzn1.account.SANDBOXBUYER0001',
  name: 'アマゾン 花子',
  email: 'hanako.sandbox@example.jp',
  phoneNumber: '09012345678',
};

export const ADDRESSES: SandboxAddress[] = [
  {
    name: 'アマゾン 花子',
    postalCode: '150-0002',
    stateOrRegion: '東京都',
    city: '渋谷区',
    addressLine1: '渋谷２丁目２１−１',
    addressLine2: '渋谷ヒカリエ ３４階',
    addressLine3: '',
    phoneNumber: '0312345678',
  },
  {
    name: '髙橋 﨑子', // 髙 and 﨑 are in Windows-31J (IBM extensions) but not in plain Shift_JIS
    postalCode: '530-0001',
    stateOrRegion: '大阪府',
    city: '大阪市北区',
    addressLine1: '梅田３丁目１−３',
    addressLine2: 'ノースゲートビル ①号室',
    addressLine3: '',
    phoneNumber: '0669876543',
  },
  {
    name: '札幌 太郎',
    postalCode: '060-0806',
    stateOrRegion: '北海道',
    city: '札幌市北区',
    addressLine1: '北６条西４丁目',
    addressLine2: '',
    addressLine3: '',
    phoneNumber: '0111234567',
  },
];

export const CARDS = ['Visa ****1111', 'JCB ****0000', 'Mastercard ****4444'];
